import type { ReactNode } from 'react';
import { Pagination } from './ui';

export interface Column<T> {
  /** Header text; also the cell's `data-label`, which the stacked phone layout shows before the value. */
  header: string;
  /** Header for screen readers only (an image or an actions column); its cells get no label. */
  srOnly?: boolean;
  cell: (row: T) => ReactNode;
}

export interface Paging {
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
}

/** The shop's one table: a caption for screen readers, column headers, rows, an optional footer and pager. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  className,
  footer,
  paging,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string | number;
  className: string;
  footer?: ReactNode;
  paging?: Paging;
}) {
  return (
    <>
      <table className={className}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.header}>
                {c.srOnly ? <span className="sr-only">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)}>
              {columns.map((c) => (
                <td key={c.header} data-label={c.srOnly ? undefined : c.header}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        {footer && <tfoot>{footer}</tfoot>}
      </table>
      {paging && <Pagination {...paging} />}
    </>
  );
}
