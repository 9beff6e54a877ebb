// The one wording of "what went wrong" for anything thrown (an Error, a string, a rejected value):
// every surface shows a failure through this, so the same fault reads the same everywhere.
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
