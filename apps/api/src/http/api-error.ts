// The API's error (an HttpException in the API's error shape) lives in @ledger/application, whose
// services throw it: import it from there. This re-export is left only for the privacy and imports
// controllers (changed on other branches at the time of issue 14), and `npm run boundaries` refuses
// any other importer of it (rule no-new-importers-of-the-api-error-shim). Delete it with their last use.
export { ApiError, type ApiErrorBody, type FieldProblem, errorName } from '@ledger/application';
