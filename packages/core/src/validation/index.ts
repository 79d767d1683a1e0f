export { compileValidator, type FastValidator } from './compile';
