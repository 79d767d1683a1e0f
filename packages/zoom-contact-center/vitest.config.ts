import { definePackageProject } from '../../vitest.shared';

export default definePackageProject('zoom-contact-center');
