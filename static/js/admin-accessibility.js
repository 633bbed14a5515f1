'use strict';
// What Django's admin leaves unnamed, named for screen readers (and axe): an inline table's columns without a
// heading, and the fields in its rows, which have no label of their own but sit under their column's heading.
{
    function nameInlineTable(table) {
        const headings = Array.from(table.querySelectorAll('thead tr:first-child > *'));
        headings.forEach(function(cell) {
            if (cell.tagName === 'TH' && !cell.textContent.trim()) {
                // A heading with no words heads nothing a reader can tell: a plain cell, as for any blank corner.
                const blank = document.createElement('td');
                blank.className = cell.className;
                cell.replaceWith(blank);
            }
        });
        // Not the hidden row "Add another" copies: its copies are named when they are added.
        table.querySelectorAll('tbody tr:not(.empty-form)').forEach(function(row) {
            Array.from(row.children).forEach(function(cell, column) {
                const heading = headings[column];
                const name = heading && heading.textContent.trim();
                if (!name) {
                    return;
                }
                cell.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(function(field) {
                    const labelled = field.labels && field.labels.length;
                    if (!labelled && !field.hasAttribute('aria-label') && !field.hasAttribute('aria-labelledby')) {
                        field.setAttribute('aria-label', name);
                    }
                });
            });
        });
    }

    function nameInlineTables() {
        document.querySelectorAll('.inline-group .tabular table').forEach(nameInlineTable);
    }

    document.addEventListener('DOMContentLoaded', nameInlineTables);
    // A row added with "Add another" is named as the others.
    document.addEventListener('formset:added', nameInlineTables);
}
