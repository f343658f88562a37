import type { IncomingHttpHeaders } from 'node:http';

/** A request as the front thread read it (`gateway-front.ts`), for the gateway on the main thread. */
export interface GatewayRequest {
  id: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  /** The body, or `too-large` past API Gateway's payload limit (read no further). */
  body: Uint8Array | 'too-large';
}

/** The answer the front thread writes. */
export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** From the front thread to the main thread. */
export type FrontMessage =
  | { type: 'listening'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'request'; request: GatewayRequest }
  | { type: 'stopped' };

/** From the main thread to the front thread. */
export type MainMessage = ({ type: 'response'; id: number } & GatewayResponse) | { type: 'stop' };
