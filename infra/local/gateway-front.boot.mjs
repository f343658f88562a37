// Worker threads do not inherit tsx's loader: register it in this thread, then start the front end.
import { register } from 'tsx/esm/api';

register();
await import('./gateway-front.ts');
