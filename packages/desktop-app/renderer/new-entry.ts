/** The form that appends an entry (Ctrl/Cmd+Enter in the text adds it too). */
import { h } from './dom.js';
import { mayStillCommit } from './format.js';
import type { Ui } from './ui.js';
import { WRITE_TIMEOUT_MS } from './writes.js';

export function newEntryForm(ui: Ui): HTMLElement {
  const title = h('input', {
    'data-testid': 'new-title',
    placeholder: 'Title',
    maxlength: 200,
    'aria-label': 'New entry title',
  });
  const body = h('textarea', {
    'data-testid': 'new-body',
    placeholder: 'Text',
    rows: 3,
    'aria-label': 'New entry text',
  });
  const add = h('button', { 'data-testid': 'add', class: 'primary' }, 'Add entry');
  const submit = () => {
    if (title.value === '' && body.value === '') return;
    const entry = { title: title.value, body: body.value, timeoutMs: WRITE_TIMEOUT_MS };
    ui.writes.add(
      `append “${entry.title || entry.body.slice(0, 30)}”`,
      null,
      async () => {
        try {
          const r = await ui.bridge.append(entry);
          ui.notify('ok', `entry #${r.id} committed`);
        } catch (err) {
          // Refused for good: the text comes back into the form (emptied when queued), unless
          // the user is typing the next one. Not when it may still be decided: no second copy.
          if (!mayStillCommit(err) && title.value === '' && body.value === '') {
            title.value = entry.title;
            body.value = entry.body;
          }
          throw err;
        }
      },
      'append',
    );
    title.value = '';
    body.value = '';
    title.focus();
  };
  add.addEventListener('click', submit);
  body.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
  });
  return h('div', { class: 'new-entry' }, title, body, add);
}
