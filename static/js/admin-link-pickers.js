'use strict';
// Select2, which draws the admin's record pickers, removes a chosen record from a multiple picker when it is picked
// again from the results: an editor making sure a record is linked would unlink it without noticing. Picking a chosen
// record again keeps it chosen and closes the results; the × on a chosen record still removes it, as does Backspace
// in the picker's search box.
//
// Select2 also names none of what it draws: its search boxes and boxes of chosen records are named here after the
// picker's label ("Instruments"), for screen readers and axe.
{
    const $ = django.jQuery;

    $(document).on('select2:unselecting', '.admin-autocomplete', function(event) {
        const args = event.params && event.params.args;
        const original = args && args.originalEvent;
        if (original && $(original.target).closest('.select2-results').length) {
            event.preventDefault();
            $(this).select2('close');
        }
    });

    // The id of the picker's <label>, given one if it has none; "" for a picker without a label.
    function labelId(select) {
        const label = select.labels && select.labels[0];
        if (!label) {
            return '';
        }
        label.id = label.id || select.id + '-label';
        return label.id;
    }

    function namePicker(select) {
        const drawn = select.nextElementSibling;
        const name = labelId(select);
        if (!name || !drawn || !drawn.classList.contains('select2')) {
            return;
        }
        drawn.querySelectorAll('[role=combobox], [role=textbox]').forEach(function(part) {
            // The picker's name, then what it holds (the chosen record of a single picker, as Select2 names it).
            const shown = part.getAttribute('aria-labelledby') || '';
            if (!shown.split(' ').includes(name)) {
                part.setAttribute('aria-labelledby', (name + ' ' + shown).trim());
            }
        });
        drawn.querySelectorAll('[role=combobox][aria-owns]').forEach(function(box) {
            // Open, a combobox says which list of results it controls (Select2 only says it "owns" it).
            box.setAttribute('aria-controls', box.getAttribute('aria-owns'));
        });
        drawn.querySelectorAll('.select2-search__field').forEach(function(field) {
            field.setAttribute('aria-labelledby', name);
        });
        // "Remove all items" is a bare × a mouse reaches (each chosen record has its own, and Backspace removes them
        // from the keyboard); hidden from screen readers, it no longer stands among the chosen records' list items.
        drawn.querySelectorAll('.select2-selection__rendered > .select2-selection__clear').forEach(function(clear) {
            clear.setAttribute('aria-hidden', 'true');
        });
    }

    function nameAllPickers() {
        document.querySelectorAll('select.admin-autocomplete').forEach(namePicker);
    }

    // Select2 draws its pickers when the page is ready (and in rows added to inlines) and draws the chosen records
    // again at each change, so every picker is named whenever the page's elements change.
    document.addEventListener('DOMContentLoaded', function() {
        nameAllPickers();
        new MutationObserver(nameAllPickers).observe(document.body, {childList: true, subtree: true});
    });

    // A single picker's search box is drawn in the results, below the page, when it opens.
    $(document).on('select2:open', '.admin-autocomplete', function() {
        namePicker(this);
        const name = labelId(this);
        const dropdown = $(this).data('select2').$dropdown[0];
        dropdown.querySelectorAll('.select2-search__field').forEach(function(field) {
            if (name) {
                field.setAttribute('aria-labelledby', name);
            }
        });
    });
}
