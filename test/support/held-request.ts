/** For the fake chat servers (Slack's Web API, the Bot Connector): holding a request to simulate a slow platform. */
import type { ServerResponse } from 'node:http';

/** Holds a request `ms`; true if the client hung up (or the fake closed) first. */
export function hungUpWithin(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(false);
    }, ms);
    res.once('close', onClose);
  });
}
