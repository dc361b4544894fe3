// Links to the pages of a long list in the shape of GOV.UK's pagination component: previous and
// next, the first and last pages, and the pages either side of this one, each keeping the list's
// filters. Used by the public event list and the organisers' attendee list
// (views/partials/pagination.eta draws it).

export interface PageItem {
  number?: number;
  href?: string;
  current?: boolean;
  ellipsis?: boolean;
}

export interface Pages {
  current: number;
  count: number;
  /** The first and last positions shown on this page, counting from 1 (0 and 0 when none). */
  from: number;
  to: number;
  first: string;
  previous: string;
  next: string;
  items: PageItem[];
}

export function pageLinks(options: {
  path: string;
  /** The list's filters, kept on every link; empty ones are left out. */
  params: Record<string, string | undefined>;
  /** The id the links jump to on the page, if any. */
  anchor?: string;
  total: number;
  perPage: number;
  /** The page asked for; one past the last is shown as asked (with nothing on it). */
  requested?: number;
}): Pages {
  const { total, perPage } = options;
  const count = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(Math.max(1, options.requested ?? 1), Math.max(count, options.requested ?? 1));
  const href = (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.params)) if (value) params.set(key, value);
    if (page > 1) params.set('page', String(page));
    const text = params.toString();
    return `${options.path}${text ? `?${text}` : ''}${options.anchor ? `#${options.anchor}` : ''}`;
  };
  const shown = [...new Set([1, current - 1, current, current + 1, count])].filter((n) => n >= 1 && n <= count).sort((a, b) => a - b);
  const items: PageItem[] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === current });
  });
  return {
    current,
    count,
    from: total === 0 || current > count ? 0 : (current - 1) * perPage + 1,
    to: current > count ? 0 : Math.min(total, current * perPage),
    first: href(1),
    previous: current > 1 ? href(current - 1) : '',
    next: current < count ? href(current + 1) : '',
    items: count > 1 ? items : [],
  };
}
