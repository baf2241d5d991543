/** Drop a video (or choose one): the file is uploaded to the host, which answers its host path. */
import { useRef, useState, type JSX } from "react";
import { useApi } from "../../api/context.js";
import { ProgressBar } from "../../ui/index.js";

export interface DropZoneProps {
  readonly onPath: (path: string) => void;
}

export function useVideoUpload(onPath: (path: string) => void): {
  upload: (file: File) => void;
  sending: { name: string; sent: number; total: number } | undefined;
  error: string | undefined;
} {
  const api = useApi();
  const [sending, setSending] = useState<{ name: string; sent: number; total: number } | undefined>(
    undefined,
  );
  const [error, setError] = useState<string | undefined>(undefined);
  const upload = (file: File): void => {
    setError(undefined);
    setSending({ name: file.name, sent: 0, total: file.size });
    api
      .upload(file, (sent, total) => setSending({ name: file.name, sent, total }))
      .then(
        (path) => onPath(path),
        (e: unknown) => setError(`${file.name}: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => setSending(undefined));
  };
  return { upload, sending, error };
}

export function DropZone({ onPath }: DropZoneProps): JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  const { upload, sending, error } = useVideoUpload(onPath);
  const [over, setOver] = useState(false);
  return (
    <div
      className={`dropzone ${over ? "dropzone--over" : ""}`}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        const file = e.dataTransfer.files[0];
        if (file) upload(file);
      }}
    >
      <p className="dropzone__text">Drop a video here, or</p>
      <label className="ui-btn ui-btn--secondary dropzone__choose">
        Choose a video file
        <input
          ref={input}
          type="file"
          accept="video/*,.mp4,.mkv,.avi,.mov,.webm"
          className="sr-only"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) upload(file);
            e.target.value = "";
          }}
        />
      </label>
      {sending && (
        <ProgressBar
          label={`Uploading ${sending.name}`}
          done={sending.sent}
          total={sending.total}
          unit="bytes"
        />
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          Upload failed: {error}
        </p>
      )}
    </div>
  );
}
