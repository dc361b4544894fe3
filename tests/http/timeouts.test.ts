// Over a real socket: a client that sends a byte now and then cannot hold a connection open.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '800', KEEP_ALIVE_TIMEOUT_MS: '500', PAGE_CACHE_SECONDS: '5' } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await t.close();
});

interface Trickle {
  /** Milliseconds from connecting until the server closed the connection, or null if it never did. */
  closedAfter: number | null;
  received: string;
}

/** Connects, writes `start`, then one byte of `drip` every 100 ms, for at most `limitMs`. */
function trickle(start: string, drip: string, limitMs: number): Promise<Trickle> {
  return new Promise((resolve) => {
    const began = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedAfter: number | null) => {
      clearInterval(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve({ closedAfter, received });
    };
    const limit = setTimeout(() => finish(null), limitMs);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => finish(Date.now() - began));
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(start);
      timer = setInterval(() => {
        if (!socket.writable) return;
        socket.write(drip[sent % drip.length]!);
        sent++;
      }, 100);
    });
  });
}

describe('request timeouts', () => {
  it('closes a request whose body trickles in', async () => {
    const head = `POST /sign-in HTTP/1.1\r\nHost: convene.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n`;
    const result = await trickle(head, 'email=a', 6000);
    expect(result.closedAfter).not.toBeNull();
    expect(result.closedAfter!).toBeLessThan(3500);
    expect(result.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a request whose headers trickle in', async () => {
    const result = await trickle('GET /events HTTP/1.1\r\nHost: convene.test\r\n', 'X-Slow: yes\r\n', 6000);
    expect(result.closedAfter).not.toBeNull();
    expect(result.closedAfter!).toBeLessThan(3000);
  });

  it('closes an idle kept-alive connection, also after a page answered from the page cache', async () => {
    const get = 'GET /events HTTP/1.1\r\nHost: convene.test\r\n\r\n';
    // The first visit stores the page; the second is answered by the page cache's own server code.
    for (const answeredFrom of ['app', 'page cache']) {
      const result = await new Promise<Trickle>((resolve) => {
        const began = Date.now();
        const socket = net.connect(port, '127.0.0.1', () => socket.write(get));
        let received = '';
        const limit = setTimeout(() => {
          socket.destroy();
          resolve({ closedAfter: null, received });
        }, 5000);
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('error', () => {});
        socket.on('close', () => {
          clearTimeout(limit);
          resolve({ closedAfter: Date.now() - began, received });
        });
      });
      expect(result.received, answeredFrom).toMatch(/^HTTP\/1\.1 200/);
      if (answeredFrom === 'page cache') expect(result.received).toMatch(/x-page-cache: hit/i);
      expect(result.closedAfter, answeredFrom).not.toBeNull();
      expect(result.closedAfter!, answeredFrom).toBeLessThan(2500);
    }
  });

  it('has finite defaults and refuses headers allowed longer than the whole request', () => {
    const config = loadConfig({});
    expect(config.requestTimeoutMs).toBe(120_000);
    expect(config.headersTimeoutMs).toBe(20_000);
    expect(config.keepAliveTimeoutMs).toBe(72_000);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toThrow(/HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '0' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });
});
