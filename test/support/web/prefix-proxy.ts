/**
 * A reverse proxy as a trust might run one in front of the bot: it serves the
 * app under a path prefix (`/mutual-aid`), strips the prefix from each
 * request and passes it on, and passes the answer back unchanged (a
 * Location header included). Anything asked for outside the prefix is
 * answered 404 and recorded in `outside`, so a test sees any address a page
 * gave that escapes the prefix.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrefixProxy {
  /** The proxy's own address, without the prefix. */
  url: string;
  /** Where the app is, once known (the app's PUBLIC_BASE_URL needs the proxy's address first). */
  target?: string;
  /** Requests for anything outside the prefix: method and address. */
  readonly outside: string[];
  close(): Promise<void>;
}

export async function startPrefixProxy(prefix: string, target?: string): Promise<PrefixProxy> {
  const outside: string[] = [];
  const proxy: PrefixProxy = {
    url: '',
    target,
    outside,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const address = req.url ?? '/';
    const rest = address.slice(prefix.length);
    if (!address.startsWith(prefix) || !/^(\/|\?|$)/.test(rest) || !proxy.target) {
      outside.push(`${req.method} ${address}`);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not under the prefix');
      return;
    }
    const upstream = new URL(proxy.target);
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: rest.startsWith('/') ? rest : `/${rest}`,
        headers: { ...req.headers, host: upstream.host, 'x-forwarded-prefix': prefix },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('Bad gateway');
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
