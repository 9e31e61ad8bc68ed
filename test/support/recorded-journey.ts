// What a journey's history recorded, decoded with the client's codec: its start input and the
// types of its local activities in order (for tests of the journey's shape, not of its decisions).
import type { Client } from '@temporalio/client';
import { clientDecoder } from '../../server/api/admin/journey-history.ts';

export async function recordedJourney(client: Client, id: string): Promise<{ input: any; activities: string[] }> {
  const decode = clientDecoder(client);
  const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
  const input = await decode(started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]);
  const activities: string[] = [];
  for (const e of events) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const data = await decode(marker.details?.data?.payloads?.[0]);
    activities.push(String(data?.activity_type ?? data?.activityType));
  }
  return { input, activities };
}
