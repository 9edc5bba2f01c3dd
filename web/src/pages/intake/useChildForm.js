// The state of a children's allowance form (ChildApplicationForm) on a page
// that sends it: the model, and its errors by field, the browser's own
// (childProblems, shown once the officer has tried to send) over which the
// server's answer is laid (its 4xx names the field); a change to the form
// clears the server's. Used by 受理申请 and the 12345 order's 转办, and by the
// citizen portal, which names the child by ID number: options give the first
// state of its form, its problems and the fields a server error may name.
import { computed, ref, watch } from 'vue';
import { childProblems, newChildForm } from '../cases/labels';

const FIELDS = ['person_id', 'category', 'care_type', 'facts'];

export function useChildForm(onChange, { initial = newChildForm(), problems = childProblems, fields = FIELDS } = {}) {
	const form = ref(initial);
	const tried = ref(false);
	const serverErrors = ref({});
	const errors = computed(() => {
		const out = {};
		if (tried.value) for (const p of problems(form.value)) if (!out[p.field]) out[p.field] = p.message;
		return { ...out, ...serverErrors.value };
	});
	watch(
		form,
		() => {
			serverErrors.value = {};
			if (onChange) onChange();
		},
		{ deep: true },
	);
	// The browser's first problem (a message), or '' when the form may go.
	function check() {
		tried.value = true;
		serverErrors.value = {};
		const p = problems(form.value);
		return p.length ? p[0].message : '';
	}
	// A server error naming one of the form's fields is shown against it; true when it did.
	function serverError(e) {
		if (!e || !fields.includes(e.field)) return false;
		serverErrors.value = { [e.field]: e.message };
		return true;
	}
	return { form, errors, check, serverError };
}
