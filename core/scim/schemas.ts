// The SCIM schemas Tessera serves (RFC 7643 §4.1 User, §4.2 Group, §3.1 common attributes), limited
// to what Tessera stores: a user has one email, one phone number and one address (the primary or
// first one a client sends), a group's members are users. What each attribute maps to is in
// user-mapper.ts and group-mapper.ts.
import type { AttrDef, SchemaDef } from './schema-types.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

const str = (name: string, description: string, extra: Partial<AttrDef> = {}): AttrDef => ({ name, type: 'string', description, ...extra });
const TYPE_PRIMARY = (types: string[]): AttrDef[] => [
  str('type', 'A label for the value.', { canonicalValues: types }),
  { name: 'primary', type: 'boolean', description: 'The primary value (Tessera keeps this one, or the first).' },
];

/** id, externalId and meta: on every resource (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: AttrDef[] = [
  str('id', 'Tessera\'s identifier of the resource.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', 'The provisioning client\'s identifier of the resource.', { caseExact: true }),
  {
    name: 'meta', type: 'complex', description: 'Resource metadata.', mutability: 'readOnly',
    subAttributes: [
      str('resourceType', 'User or Group.', { mutability: 'readOnly', caseExact: true }),
      { name: 'created', type: 'dateTime', description: 'When the resource was created.', mutability: 'readOnly' },
      { name: 'lastModified', type: 'dateTime', description: 'When the resource last changed.', mutability: 'readOnly' },
      { name: 'location', type: 'reference', description: 'The resource\'s URI.', mutability: 'readOnly', caseExact: true, referenceTypes: ['uri'] },
      str('version', 'The resource\'s ETag.', { mutability: 'readOnly', caseExact: true }),
    ],
  },
];

export const USER_ATTRIBUTES: AttrDef[] = [
  str('userName', 'Unique identifier of the user in the tenant (Tessera\'s username).', { required: true, uniqueness: 'server' }),
  {
    name: 'name', type: 'complex', description: 'The components of the user\'s name.',
    subAttributes: [
      str('formatted', 'The full name (Tessera\'s name, the same as displayName).'),
      str('familyName', 'Family name (profile attribute family_name).'),
      str('givenName', 'Given name (profile attribute given_name).'),
      str('middleName', 'Middle name (profile attribute middle_name).'),
      str('honorificPrefix', 'Honorific prefix (profile attribute honorific_prefix).'),
      str('honorificSuffix', 'Honorific suffix (profile attribute honorific_suffix).'),
    ],
  },
  str('displayName', 'The name shown to people (Tessera\'s name, the OpenID Connect name claim).'),
  str('nickName', 'Casual name (profile attribute nickname).'),
  { name: 'profileUrl', type: 'reference', description: 'Profile page (profile attribute profile).', referenceTypes: ['external'] },
  str('title', 'Title (profile attribute title).'),
  str('userType', 'Relationship to the organization (profile attribute user_type).'),
  str('preferredLanguage', 'Preferred language (profile attribute preferred_language).'),
  str('locale', 'Locale (profile attribute locale).'),
  str('timezone', 'Time zone (profile attribute zoneinfo).'),
  { name: 'active', type: 'boolean', description: 'Whether the user may sign in (Tessera\'s status active, else disabled).' },
  str('password', 'Initial or new password, under the tenant\'s password policy. Never returned.', { mutability: 'writeOnly', returned: 'never' }),
  {
    name: 'emails', type: 'complex', multiValued: true, description: 'Email address (Tessera keeps one: the primary or first).',
    subAttributes: [str('value', 'The address.'), str('display', 'A label.'), ...TYPE_PRIMARY(['work', 'home', 'other'])],
  },
  {
    name: 'phoneNumbers', type: 'complex', multiValued: true, description: 'Phone number (one: profile attribute phone_number).',
    subAttributes: [str('value', 'The number.'), str('display', 'A label.'), ...TYPE_PRIMARY(['work', 'home', 'mobile', 'fax', 'pager', 'other'])],
  },
  {
    name: 'addresses', type: 'complex', multiValued: true, description: 'Postal address (one: the address profile attributes).',
    subAttributes: [
      str('formatted', 'Full address (address).'), str('streetAddress', 'Street (street_address).'), str('locality', 'City (locality).'),
      str('region', 'Region (region).'), str('postalCode', 'Postal code (postal_code).'), str('country', 'Country (country).'),
      ...TYPE_PRIMARY(['work', 'home', 'other']),
    ],
  },
  {
    name: 'groups', type: 'complex', multiValued: true, mutability: 'readOnly', description: 'The groups the user is in (change them through /Groups).',
    subAttributes: [
      str('value', 'The group\'s id.', { mutability: 'readOnly' }),
      { name: '$ref', type: 'reference', description: 'The group\'s URI.', mutability: 'readOnly', referenceTypes: ['Group'] },
      str('display', 'The group\'s name.', { mutability: 'readOnly' }),
      str('type', 'direct', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ],
  },
];

export const GROUP_ATTRIBUTES: AttrDef[] = [
  str('displayName', 'The group\'s name (unique in the tenant).', { required: true, uniqueness: 'server' }),
  {
    name: 'members', type: 'complex', multiValued: true, description: 'The users in the group.',
    subAttributes: [
      str('value', 'The user\'s id.', { mutability: 'immutable' }),
      { name: '$ref', type: 'reference', description: 'The user\'s URI.', mutability: 'immutable', referenceTypes: ['User'] },
      str('display', 'The user\'s userName.', { mutability: 'readOnly' }),
      str('type', 'User (groups cannot be members).', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
  },
];

export const SCHEMAS: SchemaDef[] = [
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
];

/** Every attribute of a resource type, the common ones included. */
export const RESOURCE_ATTRIBUTES = {
  User: [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES],
  Group: [...COMMON_ATTRIBUTES, ...GROUP_ATTRIBUTES],
} as const;

export type ResourceType = keyof typeof RESOURCE_ATTRIBUTES;
export const CORE_SCHEMA: Record<ResourceType, string> = { User: USER_SCHEMA, Group: GROUP_SCHEMA };
