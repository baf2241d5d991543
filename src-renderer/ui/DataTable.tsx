/** A simple table with sortable columns (click or Enter on a header; aria-sort tells which). */
import { useMemo, useState, type ReactNode } from "react";

export interface Column<Row> {
  key: string;
  header: ReactNode;
  /** Cell content; default: String(row[key]). */
  render?: (row: Row) => ReactNode;
  /** Makes the column sortable. */
  sortValue?: (row: Row) => number | string | undefined;
  align?: "left" | "right";
}

export interface DataTableProps<Row> {
  /** The table's accessible name (caption). */
  label: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  initialSort?: { key: string; direction: "asc" | "desc" };
  /** Shown in place of the body when there are no rows. */
  empty?: ReactNode;
  onRowClick?: (row: Row) => void;
  /** Row highlighted as the current one. */
  selectedKey?: string;
  className?: string;
  /** Show the caption visibly (default: for screen readers only). */
  showCaption?: boolean;
}

function compare(a: number | string | undefined, b: number | string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function plainCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "string" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}

export function DataTable<Row>(props: DataTableProps<Row>) {
  const {
    label,
    columns,
    rows,
    rowKey,
    initialSort,
    empty,
    onRowClick,
    selectedKey,
    className,
    showCaption,
  } = props;
  const [sort, setSort] = useState(initialSort);
  const sorted = useMemo(() => {
    const col = sort && columns.find((c) => c.key === sort.key);
    if (!sort || !col?.sortValue) return rows;
    const get = col.sortValue;
    const sign = sort.direction === "asc" ? 1 : -1;
    return [...rows].sort((a, b) => sign * compare(get(a), get(b)));
  }, [rows, columns, sort]);

  const toggle = (key: string) =>
    setSort((s) =>
      s?.key === key ? { key, direction: s.direction === "asc" ? "desc" : "asc" } : { key, direction: "asc" },
    );

  return (
    <div className={`ui-table-wrap ${className ?? ""}`}>
      <table className="ui-table">
        <caption className={showCaption ? "ui-table__caption" : "sr-only"}>{label}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              const ariaSort = active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined;
              return (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={ariaSort}
                  className={c.align === "right" ? "num" : undefined}
                >
                  {c.sortValue ? (
                    <button type="button" className="ui-table__sort" onClick={() => toggle(c.key)}>
                      {c.header}
                      <span aria-hidden="true" className="ui-table__arrow">
                        {active ? (sort.direction === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="ui-table__empty">
                {empty ?? "Nothing here yet."}
              </td>
            </tr>
          ) : (
            sorted.map((row, i) => {
              const key = rowKey(row, i);
              return (
                <tr
                  key={key}
                  className={`${onRowClick ? "ui-table__row--click" : ""} ${key === selectedKey ? "ui-table__row--selected" : ""}`}
                  aria-selected={onRowClick ? key === selectedKey : undefined}
                  tabIndex={onRowClick ? 0 : undefined}
                  onClick={onRowClick ? () => onRowClick(row) : undefined}
                  onKeyDown={
                    onRowClick
                      ? (e) => {
                          if (e.key === "Enter" || e.key === " ") {
                            e.preventDefault();
                            onRowClick(row);
                          }
                        }
                      : undefined
                  }
                >
                  {columns.map((c) => (
                    <td key={c.key} className={c.align === "right" ? "num" : undefined}>
                      {c.render ? c.render(row) : plainCell((row as Record<string, unknown>)[c.key])}
                    </td>
                  ))}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
