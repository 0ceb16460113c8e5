/**
 * An HTTP handler for a real SDK client that answers every request with one canned response and
 * records what was sent, so a client's own middleware stack (serialisation, signing, the
 * middleware under test, deserialisation) runs whole without a network or an emulator.
 */
import { HttpResponse } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/types';
import { Readable } from 'node:stream';

export interface RecordedHttp {
  /** Hand it to the client as `requestHandler`. */
  requestHandler: { handle(request: HttpRequest): Promise<{ response: HttpResponse }> };
  /** Every request that reached the network, in order. */
  sent: HttpRequest[];
  /** The body of the `index`th request sent, as text. */
  bodyOf(index: number): string;
}

/** Answers every request with `statusCode`, `body` and `headers`. */
export function recordedHttp(body: string, headers: Record<string, string> = {}, statusCode = 200): RecordedHttp {
  const sent: HttpRequest[] = [];
  return {
    sent,
    requestHandler: {
      handle: async (request) => {
        sent.push(request);
        return { response: new HttpResponse({ statusCode, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, body: Readable.from([Buffer.from(body)]) }) };
      },
    },
    bodyOf: (index) => {
      const body: unknown = sent[index]?.body;
      return body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body ?? '');
    },
  };
}

export const LOCAL_TEST_CREDENTIALS = { accessKeyId: 'AKIAUNITTEST0000001', secretAccessKey: 'unit-test-secret-not-real' };
