// The API's error (an HttpException in the API's error shape) lives in @ledger/application, whose
// services throw it; re-exported here for the api's controllers, pipes and filter.
export { ApiError, type ApiErrorBody, type FieldProblem, errorName } from '@ledger/application';
