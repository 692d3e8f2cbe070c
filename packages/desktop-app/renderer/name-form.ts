/** This peer's display name, edited in place (setup and header): saved on Enter or change. */
import { h } from './dom.js';
import { errorText } from './format.js';
import type { Ui } from './ui.js';

export function nameForm(ui: Ui, name: string): HTMLElement {
  const input = h('input', {
    'data-testid': 'name',
    value: name,
    maxlength: 64,
    'aria-label': 'your name',
  });
  const save = () => {
    const v = input.value.trim();
    if (v === '' || v === name) return;
    ui.bridge
      .setName({ name: v })
      .then(() => ui.notify('ok', `you are now “${v}”`))
      .catch((err: unknown) => ui.notify('error', `rename failed: ${errorText(err)}`));
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') save();
  });
  input.addEventListener('change', save);
  return h('span', { class: 'name-form' }, input);
}
