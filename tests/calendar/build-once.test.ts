import { describe, expect, it } from 'vitest';
import { buildOnce } from '../../server/calendar/http.ts';

describe('feeds asked for at the same moment', () => {
  it('share one build, and the next request after it builds again', async () => {
    let builds = 0;
    let finish: (body: string) => void = () => {};
    const build = () => {
      builds++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const asked = Array.from({ length: 16 }, () => buildOnce('"v1"', build));
    finish('BEGIN:VCALENDAR');
    expect(await Promise.all(asked)).toEqual(Array(16).fill('BEGIN:VCALENDAR'));
    expect(builds).toBe(1);

    const later = buildOnce('"v1"', build);
    finish('BEGIN:VCALENDAR again');
    expect(await later).toBe('BEGIN:VCALENDAR again');
    expect(builds).toBe(2);
  });

  it('keep feeds with different versions apart, and do not keep a failed build', async () => {
    let builds = 0;
    const ok = (body: string) => async () => {
      builds++;
      return body;
    };
    expect(await Promise.all([buildOnce('"a"', ok('A')), buildOnce('"b"', ok('B'))])).toEqual(['A', 'B']);
    const failing = async () => {
      builds++;
      throw new Error('database went away');
    };
    await expect(Promise.all([buildOnce('"c"', failing), buildOnce('"c"', failing)])).rejects.toThrow('database went away');
    expect(await buildOnce('"c"', ok('C'))).toBe('C');
    expect(builds).toBe(4);
  });
});
