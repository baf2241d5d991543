/** The compute device a job runs on: app.info's devices (cpu when the host lists none). */
import type { JSX } from "react";
import { useAppInfo } from "../../app/app-store.js";
import { Select } from "../../ui/index.js";

export function DeviceSelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (device: string) => void;
}): JSX.Element {
  const info = useAppInfo();
  const devices = info?.devices.length ? info.devices : ["cpu"];
  return (
    <Select
      label="Device"
      value={devices.includes(value) ? value : (devices[0] ?? "cpu")}
      options={devices.map((d) => ({ value: d, label: d }))}
      onChange={onChange}
    />
  );
}
