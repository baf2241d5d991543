/** Shared controls for every screen: labelled, keyboard-operable, styled by ui.css on theme.css. */
import "./ui.css";
import "./overlays.css";
export { Button, IconButton, type ButtonProps, type ButtonVariant, type IconButtonProps } from "./Button.js";
export { Field, type FieldIds, type FieldProps } from "./Field.js";
export {
  Checkbox,
  NumberField,
  RangeField,
  Select,
  TextField,
  Toggle,
  type CheckboxProps,
  type NumberFieldProps,
  type RangeFieldProps,
  type SelectOption,
  type SelectProps,
  type TextFieldProps,
} from "./inputs.js";
export { Panel, Section, type PanelProps } from "./Panel.js";
export { Tabs, type TabItem, type TabsProps } from "./Tabs.js";
export { JobProgressBar, ProgressBar, type ProgressBarProps } from "./ProgressBar.js";
export { Modal, type ModalProps } from "./Modal.js";
export { Toast, Toaster } from "./Toast.js";
export { notify, useToastStore, type ToastItem, type ToastKind } from "./toast-store.js";
export { FileChooser, type ChooserMode, type FileChooserProps } from "./FileChooser.js";
export { PathField, type PathFieldProps } from "./PathField.js";
export { DataTable, type Column, type DataTableProps } from "./DataTable.js";
export { formatBytes, formatCount, formatDuration, formatRate } from "./format.js";
