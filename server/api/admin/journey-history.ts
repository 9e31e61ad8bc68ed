// Reads a journey's Temporal history and turns it into HistoryRecords for the timeline
// (core/journeys/journey-timeline.ts), decrypting only what the timeline needs with the server's
// codec: the start input (tenant, kind, tree), local activity markers (module results) and the
// step id of each submit. The values a user submitted are never decoded.
// Rules: a workflow that is not a journey of this tenant is "not found", like an unknown id.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, type Payload } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { HistoryRecord } from '../../../core/journeys/journey-timeline.ts';

// A CommonJS module: its namespaces are reachable only through the default export under ESM.
const proto = protos.temporal;
type Event = protos.temporal.api.history.v1.IHistoryEvent;
const T = proto.api.enums.v1.EventType;

const JOURNEY_WORKFLOW = 'journeyWorkflow';
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function at(event: Event): string {
  const time = event.eventTime;
  if (!time) return new Date(0).toISOString();
  return new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6)).toISOString();
}

export interface JourneyHistory { tenant: string; records: HistoryRecord[]; running: boolean }

/** Decodes one payload to its value (codec, then converter). */
export type PayloadDecoder = (payload: Payload | null | undefined) => Promise<any>;

/** A decoder with the client's own codecs and converter. */
export function clientDecoder(temporal: Client): PayloadDecoder {
  const converter = temporal.options.loadedDataConverter;
  return async (payload) => {
    if (!payload) return undefined;
    let decoded = payload;
    for (const codec of [...converter.payloadCodecs].reverse()) [decoded] = await codec.decode([decoded]) as [Payload];
    return converter.payloadConverter.fromPayload(decoded);
  };
}

/** @returns undefined when there is no such workflow, or it is not a journey. */
export async function readJourneyHistory(temporal: Client, id: string): Promise<JourneyHistory | undefined> {
  const decode = clientDecoder(temporal);
  const handle = temporal.workflow.getHandle(id);
  let events: Event[];
  try {
    const description = await handle.describe();
    if (description.type !== JOURNEY_WORKFLOW) return undefined;
    events = (await handle.fetchHistory()).events ?? [];
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) return undefined;
    throw err;
  }
  return recordsOf(events, decode);
}

/** The timeline's records of a journey's history events; undefined when the start input names no tenant. */
export async function recordsOf(events: Event[], decode: PayloadDecoder): Promise<JourneyHistory | undefined> {
  const records: HistoryRecord[] = [];
  let tenant: string | undefined;
  let running = true;
  for (const event of events) {
    switch (event.eventType) {
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const input = await decode(event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]);
        tenant = input?.tenant;
        records.push({ kind: 'started', at: at(event), journeyKind: String(input?.kind ?? ''), tree: String(input?.tree ?? '') });
        // A journey handed its tree snapshot at the start never runs loadTree: read it as if it had.
        if (input?.bundle) records.push({ kind: 'activity', at: at(event), type: 'loadTree', result: input.bundle });
        break;
      }
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const attrs = event.markerRecordedEventAttributes;
        if (attrs?.markerName !== LOCAL_ACTIVITY_MARKER) break;
        const data = await decode(attrs.details?.data?.payloads?.[0]);
        const type = String(data?.activity_type ?? data?.activityType ?? 'unknown');
        const failure = attrs.failure ? String(attrs.failure.message ?? 'failed').slice(0, 300) : undefined;
        const result = failure ? undefined : await decode(attrs.details?.result?.payloads?.[0]);
        records.push({ kind: 'activity', at: at(event), type, ...(failure ? { failure } : { result }) });
        break;
      }
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
        const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
        if (request?.name === 'submit') {
          // Only the step id is kept from the decoded input; the values stay in this function.
          const submit = await decode(request.args?.payloads?.[0]);
          records.push({ kind: 'submit', at: at(event), stepId: String(submit?.stepId ?? '?').slice(0, 200) });
        } else if (request?.name === 'followLink') {
          records.push({ kind: 'link', at: at(event) });
        }
        break;
      }
      case T.EVENT_TYPE_TIMER_FIRED:
        records.push({ kind: 'expired', at: at(event) });
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
        running = false;
        const result = await decode(event.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]);
        records.push({ kind: 'closed', at: at(event), outcome: 'completed', status: result?.status });
        break;
      }
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        running = false;
        records.push({ kind: 'closed', at: at(event), outcome: T[event.eventType!]!.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '').toLowerCase() });
        break;
    }
  }
  return tenant ? { tenant, records, running } : undefined;
}
