// The signup notice workflow's name, id and input (imported by the signup module, which starts it).
export const SIGNUP_NOTICE_WORKFLOW = 'signupNoticeWorkflow';

export interface SignupNoticeInput { tenant: string; to: string; journeyId: string }

export function signupNoticeWorkflowId(tenant: string, journeyId: string): string {
  return `signup-notice-${tenant}-${journeyId}`;
}
