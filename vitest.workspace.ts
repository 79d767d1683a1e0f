/** The vitest projects: one per package (each has its own `vitest.config.ts`), plus examples. */
export default ['packages/*', 'examples'];
