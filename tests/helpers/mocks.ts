// The recording mock monitor lives with the offline engine (cli/engine/mocks.ts), so that
// `k8sprod plan` and the tests record registrations the same way. Tests keep importing it from here.
export { RecordingMocks, UnansweredInvokeError, installMocks } from "../../cli/engine/mocks";
export type { Registration, InvokeHandler, StateHook, RecordingMocksOptions } from "../../cli/engine/mocks";
