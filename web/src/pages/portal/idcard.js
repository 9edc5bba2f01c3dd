// The check of a resident ID number (GB 11643) in the browser, so a typing
// error is shown at once; the server checks again. Returns '' when the
// number is valid, else the reason in Chinese.
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idProblem(value) {
	const s = String(value || '').trim().toUpperCase();
	if (!s) return '请填写身份证号码';
	if (!/^\d{17}[\dX]$/.test(s)) return '身份证号码应为18位，最后一位可以是数字或X';
	const y = Number(s.slice(6, 10));
	const m = Number(s.slice(10, 12));
	const d = Number(s.slice(12, 14));
	const born = new Date(Date.UTC(y, m - 1, d));
	if (y < 1900 || born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d || born > new Date())
		return '身份证号码中的出生日期不正确';
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(s[i]) * W[i];
	if (CHECK[sum % 11] !== s[17]) return '身份证号码校验位不正确，请核对后重新填写';
	return '';
}

// An element-plus form rule built on idProblem.
export const idRule = {
	trigger: 'blur',
	validator: (_rule, value, cb) => {
		const p = idProblem(value);
		if (p) cb(new Error(p));
		else cb();
	},
};

// Age in whole years today of a valid ID number (its birth date), or -1.
export function idAge(value) {
	const s = String(value || '').trim().toUpperCase();
	if (idProblem(s)) return -1;
	const y = Number(s.slice(6, 10)), m = Number(s.slice(10, 12)), d = Number(s.slice(12, 14));
	const now = new Date();
	let age = now.getFullYear() - y;
	if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age--;
	return age;
}
