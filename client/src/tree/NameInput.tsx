/** The inline text field for a new or renamed file or folder. Enter commits, Escape cancels. */
import { InlineInput } from '../ui/InlineInput.js';

export function NameInput(props: {
  initial: string;
  depth: number;
  onCommit: (name: string) => void;
  onCancel: () => void;
}) {
  return (
    <li class="tree-input-row">
      <InlineInput
        initial={props.initial}
        onCommit={props.onCommit}
        onCancel={props.onCancel}
        selectStem
        class="tree-input"
        style={{ marginLeft: `${8 + props.depth * 14}px` }}
        label="Name"
      />
    </li>
  );
}
