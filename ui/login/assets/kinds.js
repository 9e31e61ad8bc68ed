// The three journeys a person starts from these pages, and how the page speaks of each: which
// page starts which kind (and so where "Start over" goes), and the words in titles.

/** Page → journey kind it starts. */
export const PAGE_KIND = { login: 'login', signup: 'registration', recovery: 'recovery' };

const KIND_PAGE = { login: 'login', registration: 'signup', recovery: 'recovery' };

const WORDS = {
  login: { noun: 'sign-in', Noun: 'Sign-in' },
  registration: { noun: 'sign-up', Noun: 'Sign-up' },
  recovery: { noun: 'password reset', Noun: 'Password reset' },
};

/** The page that starts a journey of `kind` (login for anything unknown). */
export function pageOf(kind) {
  return KIND_PAGE[kind] ?? 'login';
}

export function wordsFor(kind) {
  return WORDS[kind] ?? WORDS.login;
}
