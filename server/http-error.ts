// Errors the server answers with, in the Journey API's JSON form: { error: { code, message } }.
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body?: Record<string, unknown>;

  constructor(status: number, code: string, message: string, body?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export const notFound = (message = 'Not found.') => new HttpError(404, 'not_found', message);
