/** What `run` rejects with; a test fails with "expected a rejection" when it resolves instead. */
export async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected a rejection');
  return error;
}
