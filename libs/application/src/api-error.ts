import { HttpException, HttpStatus } from '@nestjs/common';

/** One bad field of a request body, query or header. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The API's error body (API.md "Conventions"). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  reason?: string;
  details?: FieldProblem[];
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function errorName(status: number): string {
  return ERROR_NAMES[status] ?? 'Error';
}

/** An HttpException whose body is already in the API's error shape. */
export class ApiError extends HttpException {
  constructor(status: number, message: string, extra: { reason?: string; details?: FieldProblem[] } = {}) {
    const body: ApiErrorBody = { statusCode: status, error: errorName(status), message, ...extra };
    super(body, status);
  }

  static badRequest(message: string, details: FieldProblem[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, message, { details });
  }
}
