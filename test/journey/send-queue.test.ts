import { describe, expect, it } from 'vitest';
import { createSendQueue } from '../../workflows/journey/send-queue';

/** A send that finishes when the test says so, recording when it started and ended. */
function controlledSend(name: string, log: string[]) {
  let finish!: (outcome: 'ok' | 'fail') => void;
  const send = () =>
    new Promise<string>((resolve, reject) => {
      log.push(`start ${name}`);
      finish = (outcome) => {
        log.push(`end ${name}`);
        if (outcome === 'ok') resolve(name);
        else reject(new Error(`${name} failed`));
      };
    });
  return { send, finish: (outcome: 'ok' | 'fail' = 'ok') => finish(outcome) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the journey send queue', () => {
  it('starts the first send at once and each later one only after the one before it has finished', async () => {
    const log: string[] = [];
    const queue = createSendQueue();
    const first = controlledSend('first', log);
    const second = controlledSend('second', log);
    const firstSent = queue.send(first.send);
    const secondSent = queue.send(second.send);
    await settle();
    expect(log).toEqual(['start first']);

    first.finish();
    expect(await firstSent).toBe('first');
    await settle();
    expect(log).toEqual(['start first', 'end first', 'start second']);
    second.finish();
    expect(await secondSent).toBe('second');
  });

  it('goes on with the next send after one finally fails, whose caller still sees the failure', async () => {
    const log: string[] = [];
    const queue = createSendQueue();
    const failing = controlledSend('failing', log);
    const next = controlledSend('next', log);
    const failed = queue.send(failing.send);
    const nextSent = queue.send(next.send);
    await settle();
    failing.finish('fail');
    await expect(failed).rejects.toThrow('failing failed');
    await settle();
    next.finish();
    expect(await nextSent).toBe('next');
    expect(log).toEqual(['start failing', 'end failing', 'start next', 'end next']);
  });

  it('is drained only when every send has finished, including one queued while it waited', async () => {
    const log: string[] = [];
    const queue = createSendQueue();
    const first = controlledSend('first', log);
    const later = controlledSend('later', log);
    void queue.send(first.send);
    let drained = false;
    const draining = queue.drained().then(() => {
      drained = true;
    });
    void queue.send(later.send);
    await settle();
    first.finish();
    await settle();
    expect(drained).toBe(false);
    later.finish();
    await draining;
    expect(log).toEqual(['start first', 'end first', 'start later', 'end later']);
  });
});
