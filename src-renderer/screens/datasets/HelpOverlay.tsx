/** "?": the editor's keyboard shortcuts. */
import { Button, Modal } from "../../ui/index.js";
import { useEditorStore } from "./editor-store.js";
import { SHORTCUTS } from "./shortcuts.js";

export function HelpOverlay() {
  const open = useEditorStore((s) => s.helpOpen);
  const close = () => useEditorStore.setState({ helpOpen: false });
  return (
    <Modal
      open={open}
      title="Keyboard shortcuts"
      onClose={close}
      footer={<Button onClick={close}>Close</Button>}
    >
      <table className="ui-table ds-help">
        <caption className="sr-only">Keyboard shortcuts of the image editor</caption>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <th scope="row">
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && " / "}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </th>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
