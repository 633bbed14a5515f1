'use strict';
// Select2, which draws the admin's record pickers, removes a chosen record from a multiple picker when it is picked
// again from the results: an editor making sure a record is linked would unlink it without noticing. Picking a chosen
// record again keeps it chosen and closes the results; the × on a chosen record still removes it, as does Backspace
// in the picker's search box.
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
}
