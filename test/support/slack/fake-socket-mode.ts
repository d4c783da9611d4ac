/**
 * A local fake of Slack's Socket Mode for end-to-end tests: a WebSocket
 * server on 127.0.0.1 that the real @slack/socket-mode client connects to
 * once the fake Web API's `apps.connections.open` hands it `url`. On each
 * connection it says `hello` as Slack does; a test sends envelopes
 * (`slash_commands`, `interactive`, `events_api`) and gets back the ack the
 * app sent for each (`{ envelope_id, payload }`), all of which are recorded.
 *
 * The WebSocket protocol (RFC 6455, text frames, ping/pong, the close
 * handshake) is spoken here over node:http's `upgrade`: @slack/socket-mode 3
 * connects with undici's WebSocket, so the `ws` package is not installed.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { StateValues } from './signed-requests';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** One message Slack sends an app over the socket. */
export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** What the app sent back for an envelope. `payload` is the ack's body (`{}` for a bare `ack()`). */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** From sending the envelope to the ack arriving. */
  elapsedMs: number;
}

export interface EnvelopeOptions {
  envelopeId?: string;
  /** Default true for `slash_commands` and `interactive`, false for `events_api`. */
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the ack (default 5000 ms; Slack itself gives up after 3 s). */
  timeoutMs?: number;
}

export interface FakeSocketModeOptions {
  /** `connection_info.app_id` in `hello` (default `A0MUTUAL`). */
  appId?: string;
}

export interface FakeSocketMode {
  /** The `ws://` URL for `apps.connections.open` to return. */
  readonly url: string;
  /** Every ack received, in arrival order. */
  readonly acks: SocketAck[];
  /** Every message received that was not an ack (there should be none). */
  readonly unexpected: unknown[];
  /** Open connections that have been sent `hello`. */
  connections(): number;
  /** Resolves once a connection is open and greeted. */
  waitForConnection(timeoutMs?: number): Promise<void>;
  /** Resolves once no connection is open (the app closed its socket). */
  waitForDisconnect(timeoutMs?: number): Promise<void>;
  /** Sends an envelope on the newest connection and resolves with the app's ack for it. */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: EnvelopeOptions): Promise<SocketAck>;
  /** Destroys any connection still open (stop the app first: it closes its socket itself) and the server. */
  close(): Promise<void>;
}

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

interface PendingAck {
  sentAt: number;
  resolve: (ack: SocketAck) => void;
}

export async function startFakeSocketMode(options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? 'A0MUTUAL';
  const open = new Set<Connection>();
  const acks: SocketAck[] = [];
  const unexpected: unknown[] = [];
  const pending = new Map<string, PendingAck>();
  const changed = new Set<() => void>();
  const notify = () => {
    for (const listener of [...changed]) listener();
  };

  const receive = (text: string): void => {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      unexpected.push(text);
      return;
    }
    const envelopeId = (message as { envelope_id?: unknown } | null)?.envelope_id;
    const waiting = typeof envelopeId === 'string' ? pending.get(envelopeId) : undefined;
    if (typeof envelopeId !== 'string') {
      unexpected.push(message);
      return;
    }
    const { payload } = message as { payload?: Record<string, unknown> };
    const ack: SocketAck = {
      envelope_id: envelopeId,
      ...(payload === undefined ? {} : { payload }),
      elapsedMs: waiting ? Date.now() - waiting.sentAt : 0,
    };
    acks.push(ack);
    if (waiting) {
      pending.delete(envelopeId);
      waiting.resolve(ack);
    }
  };

  const server = createServer((_req, res) => {
    res.statusCode = 426;
    res.setHeader('Upgrade', 'websocket');
    res.end('WebSocket only');
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    const key = req.headers['sec-websocket-key'];
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
    // No Sec-WebSocket-Extensions in the answer: the client's permessage-deflate offer is declined.
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const connection = new Connection(socket, receive, () => {
      open.delete(connection);
      notify();
    });
    open.add(connection);
    if (head.length > 0) connection.receive(head);
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: open.size,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    notify();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const waitUntil = (done: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!done()) return;
        clearTimeout(timer);
        changed.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        changed.delete(listener);
        reject(new Error(`fake Socket Mode: timed out after ${timeoutMs}ms waiting for ${what}`));
      }, timeoutMs);
      changed.add(listener);
    });
  };

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=${appId}`,
    acks,
    unexpected,
    connections: () => open.size,
    waitForConnection: (timeoutMs = 5000) => waitUntil(() => open.size > 0, 'a connection', timeoutMs),
    waitForDisconnect: (timeoutMs = 5000) => waitUntil(() => open.size === 0, 'the app to disconnect', timeoutMs),
    send(type, payload, { timeoutMs = 5000, ...envelope } = {}) {
      const connection = [...open].pop();
      if (!connection) return Promise.reject(new Error('fake Socket Mode: the app is not connected'));
      const message: Envelope = {
        envelope_id: envelope.envelopeId ?? randomUUID(),
        type,
        payload,
        accepts_response_payload: envelope.acceptsResponsePayload ?? type !== 'events_api',
        ...(envelope.retryAttempt === undefined ? {} : { retry_attempt: envelope.retryAttempt }),
        ...(envelope.retryReason === undefined ? {} : { retry_reason: envelope.retryReason }),
      };
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(message.envelope_id);
          reject(new Error(`fake Socket Mode: no ack within ${timeoutMs}ms for ${type} ${message.envelope_id}`));
        }, timeoutMs);
        pending.set(message.envelope_id, {
          sentAt: Date.now(),
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
        });
        connection.sendText(JSON.stringify(message));
      });
    },
    async close() {
      for (const connection of open) connection.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** One server-side WebSocket: unmasks the client's frames, answers pings, completes the close handshake. */
class Connection {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode: number = OPCODE.text;
  private closing = false;

  constructor(
    private readonly socket: Duplex,
    private readonly onText: (text: string) => void,
    onClosed: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.once('close', onClosed);
  }

  receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const frame = readFrame(this.buffer);
      if (!frame) return;
      this.buffer = this.buffer.subarray(frame.size);
      this.handle(frame.fin, frame.opcode, frame.payload);
    }
  }

  sendText(text: string): void {
    if (!this.closing) this.socket.write(encodeFrame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.ping:
        if (!this.closing) this.socket.write(encodeFrame(OPCODE.pong, payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        // The client asked to close: echo its status code and close the TCP connection, as the server should.
        if (!this.closing) {
          this.closing = true;
          this.socket.end(encodeFrame(OPCODE.close, payload.subarray(0, 2)));
        }
        return;
      case OPCODE.continuation:
      case OPCODE.text:
      case OPCODE.binary: {
        if (opcode !== OPCODE.continuation) {
          this.fragments = [];
          this.fragmentOpcode = opcode;
        }
        this.fragments.push(payload);
        if (!fin) return;
        const message = Buffer.concat(this.fragments);
        this.fragments = [];
        if (this.fragmentOpcode === OPCODE.text) this.onText(message.toString('utf8'));
        return;
      }
      default:
        this.socket.destroy();
    }
  }
}

function readFrame(buffer: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0]!;
  const second = buffer[1]!;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const start = offset + (masked ? 4 : 0);
  if (buffer.length < start + length) return undefined;
  const payload = Buffer.from(buffer.subarray(start, start + length));
  if (masked) {
    const mask = buffer.subarray(offset, offset + 4);
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  }
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: start + length };
}

/** A single unmasked frame, as a server sends. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(length, 2);
    header[1] = 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(length), 2);
    header[1] = 127;
  }
  header[0] = 0x80 | opcode;
  return Buffer.concat([header, payload]);
}

// ─── Payloads as Slack sends them over the socket ─────────────────────────────

export interface SocketPayloadContext {
  teamId: string;
  teamDomain?: string;
  apiAppId?: string;
}

/** A slash command's payload: the fields Slack would POST as a form, as a JSON object of strings. */
export function slashCommandPayload(
  context: SocketPayloadContext,
  input: { userId: string; text: string; channelId: string; responseUrl: string; command?: string },
): Record<string, unknown> {
  return {
    token: 'fakeVerificationToken',
    team_id: context.teamId,
    team_domain: context.teamDomain ?? 'nhs-test',
    channel_id: input.channelId,
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: input.command ?? '/mutualaid',
    text: input.text,
    api_app_id: context.apiAppId ?? 'A0MUTUAL',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: triggerId(),
  };
}

/** A `view_submission` interactivity payload for a modal with these state values. */
export function viewSubmissionPayload(
  context: SocketPayloadContext,
  input: { userId: string; callbackId: string; privateMetadata: string; values: StateValues; viewId?: string },
): Record<string, unknown> {
  const apiAppId = context.apiAppId ?? 'A0MUTUAL';
  const id = input.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  const name = input.userId.toLowerCase();
  return {
    type: 'view_submission',
    team: { id: context.teamId, domain: context.teamDomain ?? 'nhs-test' },
    user: { id: input.userId, username: name, name, team_id: context.teamId },
    api_app_id: apiAppId,
    token: 'fakeVerificationToken',
    trigger_id: triggerId(),
    view: {
      id,
      team_id: context.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: input.privateMetadata,
      callback_id: input.callbackId,
      state: { values: input.values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'Mutual aid', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: apiAppId,
      external_id: '',
      app_installed_team_id: context.teamId,
      bot_id: 'BBOT',
    },
    response_urls: [],
    enterprise: null,
    is_enterprise_install: false,
  };
}

function triggerId(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(6).readUIntBE(0, 6)}.${randomBytes(16).toString('hex')}`;
}
