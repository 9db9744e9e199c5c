import type { Key, ReactNode } from 'react';

/** `data-*` attributes of a row or a cell (`{ 'data-line': 3 }`), for the tests and the scripts that find it. */
export type DataAttributes = Record<`data-${string}`, string | number>;

export interface TableRow {
  /** React's key for the row; its position when not given. */
  key?: Key;
  /** One per column, in the order of the column headers. */
  cells: ReactNode[];
  data?: DataAttributes;
  /** A cell's own `data-*` attributes, by its column's index. */
  cellData?: Record<number, DataAttributes>;
}

/**
 * A plain GOV.UK table: a caption, a row of column headers and rows of cells. `numeric` columns are
 * right-aligned (header and cells). A table with row headers, spanning cells or forms in its rows is
 * written out where it is used.
 */
export function Table(props: {
  /** The caption's text; no caption when not given. */
  caption?: ReactNode;
  /** The caption's classes after `govuk-table__caption` (`govuk-table__caption--m`, `govuk-visually-hidden`). */
  captionClass?: string;
  head: string[];
  numeric?: number[];
  rows: TableRow[];
  testId?: string;
}) {
  const numeric = (i: number) => props.numeric?.includes(i) ?? false;
  return (
    <table className="govuk-table" data-testid={props.testId}>
      {props.caption !== undefined ? <caption className={props.captionClass ? `govuk-table__caption ${props.captionClass}` : 'govuk-table__caption'}>{props.caption}</caption> : null}
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          {props.head.map((h, i) => (
            <th key={h} scope="col" className={numeric(i) ? 'govuk-table__header govuk-table__header--numeric' : 'govuk-table__header'}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {props.rows.map((row, r) => (
          <tr key={row.key ?? r} className="govuk-table__row" {...row.data}>
            {row.cells.map((cell, i) => (
              <td key={i} className={numeric(i) ? 'govuk-table__cell govuk-table__cell--numeric' : 'govuk-table__cell'} {...row.cellData?.[i]}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
