/** The vitest projects: one per package (each has its own `vitest.config.ts`), examples and the reliability suites. */
export default ['packages/*', 'examples', 'reliability'];
