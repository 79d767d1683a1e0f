import { itAwaitsChangesBeforeRequest } from '../../../test-support/changes-before-request';
import { createZoomContactCenterAdapter } from '../src/index';

// Zoom's first request is its OAuth token request, which waits for the hook too.
itAwaitsChangesBeforeRequest('zoom', (sb) =>
  createZoomContactCenterAdapter({ ...sb.adapterOptions.zoom, rateLimit: false }),
);
