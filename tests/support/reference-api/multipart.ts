/** The one file field of a multipart/form-data body (enough for the reference API). */
export interface FormFile {
  readonly field: string;
  readonly fileName: string;
  readonly data: Buffer;
}

export function parseMultipartFile(body: Buffer, contentType: string): FormFile | string {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return "no multipart boundary in Content-Type";
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  const start = body.indexOf(delim);
  if (start < 0) return "the boundary does not occur in the body";
  const headStart = start + delim.length + 2;
  const headEnd = body.indexOf("\r\n\r\n", headStart);
  if (headEnd < 0) return "a part without headers";
  const head = body.subarray(headStart, headEnd).toString("utf8");
  const disp = /content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(head);
  if (!disp) return "a part without Content-Disposition: form-data";
  const dataStart = headEnd + 4;
  const end = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), dataStart);
  if (end < 0) return "the part does not end with the boundary";
  return { field: disp[1]!, fileName: disp[2] ?? "", data: body.subarray(dataStart, end) };
}
