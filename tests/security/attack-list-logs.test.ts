// THREATS 4: a private link never appears in logs. The request log keeps each URL after
// hideSecrets(); the mailing list's links (confirm, preferences, leave) and co-production
// invitations were not among the paths it hides.
import { describe, expect, it } from 'vitest';
import { hideSecrets } from '../../server/app.ts';
import { subscriberToken } from '../../server/network/list.ts';

describe('the request log', () => {
  it('hides the mailing list’s and invitations’ private links', () => {
    const token = subscriberToken('0f7329e4-799a-42fe-96a0-4723a0000000');
    const random = 'k3J9xQm2Vn8pL5tR7wZ4yB6cD1fH0gA_-sE';
    for (const url of [
      `/list/${token}`,
      `/list/${token}/leave`,
      `/list/confirm/${random}`,
      `/proposals/invitations/${random}`,
      `/proposals/invitations/${random}/accept`,
    ]) {
      const logged = hideSecrets(url);
      expect(logged, url).not.toContain(token);
      expect(logged, url).not.toContain(random);
    }
    expect(hideSecrets('/list/join/check-your-email')).toBe('/list/join/check-your-email');
  });
});
