/**
 * Names for the API's shapes, all taken from the types that `npm run gen:api` generates from
 * dts/openapi.yaml: a reply the document changes is a type error wherever the UI reads it.
 */

import type { components, paths } from './schema.gen';

type Schemas = components['schemas'];

export type Money = Schemas['Money'];
export type Summary = Schemas['SummaryReply'];
export type Holding = Schemas['Holding'];
export type PendingTrade = Schemas['PendingTrade'];
export type Order = Schemas['Order'];
export type Fired = Schemas['Fired'];
export type Transaction = Schemas['Transaction'];
export type QuoteReply = Schemas['QuoteReply'];
export type TokenReply = Schemas['TokenReply'];

export type Side = 'BUY' | 'SELL';

/** A quote as the UI keeps it: the reply, and when this browser received it. */
export interface Quote {
  sym: string;
  price: Money;
  quoteServerTime: number;
  cached: boolean;
  receivedAt: number;
}

// ---- per path: what a POST takes and what it answers ---------------------------------------------

type PostOperation<P extends keyof paths> = paths[P] extends { post: infer Operation } ? Operation : never;

/** Every path that answers a POST with JSON (all but DUMPLOG, which answers XML). */
export type JsonPostPath = {
  [P in keyof paths]: PostOperation<P> extends { responses: { 200: { content: { 'application/json': unknown } } } }
    ? P
    : never;
}[keyof paths];

/** Every path that answers a POST with a file. */
export type FilePostPath = {
  [P in keyof paths]: PostOperation<P> extends { responses: { 200: { content: { 'application/xml': unknown } } } }
    ? P
    : never;
}[keyof paths];

export type RequestBody<P extends keyof paths> =
  PostOperation<P> extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;

export type Reply<P extends JsonPostPath> =
  PostOperation<P> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;
