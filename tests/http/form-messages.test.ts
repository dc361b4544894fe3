// Error messages name their field as its label does (the GOV.UK pattern: "Enter your email
// address" for a field labelled "Email address"). This walks every form route's body schema: each
// field a person fills in has a title, the title is a label or legend on some page, and the
// message for leaving it empty names that label.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FieldSchema, messageFor } from '../../server/http/forms.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const normal = (s: string) =>
  s
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/\s*\(optional\)\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Every label and legend text written in the templates, and the `label:` texts of the server's
 * own tables that templates show as labels (rubric criteria, access features), normalised.
 */
function labelsOnPages(): string[] {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.eta') || entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(file, 'utf8');
        for (const m of source.matchAll(/\b(?:label|legend): '((?:[^'\\]|\\.)+)'/g)) texts.push(m[1]!.replace(/\\'/g, "'"));
        for (const m of source.matchAll(/<(?:label|legend)\b[^>]*>\s*(?:<h\d[^>]*>)?([^<]+)</g)) texts.push(m[1]!);
      }
    }
  };
  walk(path.join(import.meta.dirname, '../../views'));
  walk(path.join(import.meta.dirname, '../../server'));
  return texts.map(normal);
}

// Fields no person types into: the CSRF token, hidden markers and buttons' values.
const notTyped = new Set(['_csrf', 'send', 'action', 'next', 'done', 'q']);

/**
 * Parts of a group of fields named by the group's legend, which the template numbers itself
 * ("Date option 2"): their titles say the part and the group, "Start time of date option 2".
 */
const partOfGroup = /^option\d(Date|Start|End)$/;

/** Yes/no questions: GOV.UK's message is "Select yes if…", not the question repeated. */
const questions = new Set(['answer']);

interface Field {
  route: string;
  name: string;
  schema: FieldSchema & { anyOf?: FieldSchema[] };
}

function formFields(): Field[] {
  const fields: Field[] = [];
  for (const route of t.app.routeAccess) {
    const body = route.bodySchema as { properties?: Record<string, FieldSchema> } | undefined;
    if (route.method !== 'POST' || !body?.properties) continue;
    for (const [name, schema] of Object.entries(body.properties)) {
      if (!notTyped.has(name)) fields.push({ route: `${route.method} ${route.url}`, name, schema });
    }
  }
  return fields;
}

describe('error messages match their field labels', () => {
  it('finds the forms', () => {
    expect(formFields().length).toBeGreaterThan(100);
  });

  it('gives every field a person types into a title', () => {
    // Radios, checkboxes and files send fixed values: only hostile input fails their schema.
    const freeText = (f: Field) => f.schema.type === 'string' && !f.schema.anyOf && (f.schema.maxLength ?? 0) > 20;
    const untitled = formFields()
      .filter((f) => freeText(f) && !f.schema.title)
      .map((f) => `${f.route} ${f.name}`);
    expect(untitled).toEqual([]);
  });

  it('uses titles that are labels or legends on the pages', () => {
    const labels = labelsOnPages();
    const unknown = formFields()
      .filter((f) => f.schema.title && !partOfGroup.test(f.name) && !labels.some((l) => l.includes(normal(f.schema.title!))))
      .map((f) => `${f.route} ${f.name}: "${f.schema.title}"`);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('names the label in the message for leaving a field empty', () => {
    const wrong = formFields()
      .filter((f) => f.schema.title && !questions.has(f.name))
      .map((f) => ({ f, message: messageFor({ keyword: 'required', params: { missingProperty: f.name } }, f.name, f.schema) }))
      .filter(({ f, message }) => !normal(message).includes(normal(f.schema.title!)))
      .map(({ f, message }) => `${f.route} ${f.name}: "${f.schema.title}" → "${message}"`);
    expect([...new Set(wrong)]).toEqual([]);
  });
});
