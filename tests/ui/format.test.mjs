// web/src/format.js is plain JavaScript: its rules checked without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { date, datetime, label, maskId, money, month, programme, relation, role, state } from '../../web/src/format.js';

test('money: fen integers and yuan strings, exact, with thousands separators', () => {
	assert.equal(money(123456), '¥1,234.56');
	assert.equal(money(0), '¥0.00');
	assert.equal(money(-5), '-¥0.05');
	assert.equal(money(900719925474099), '¥9,007,199,254,740.99');
	assert.equal(money('1234.56'), '¥1,234.56');
	assert.equal(money('1234.5'), '¥1,234.50');
	assert.equal(money('1234'), '¥1,234.00');
	assert.equal(money('-3.00'), '-¥3.00');
	assert.equal(money('-0.00'), '¥0.00');
	assert.equal(money('0012.30'), '¥12.30');
	assert.equal(money('99999999999999999.99'), '¥99,999,999,999,999,999.99');
	assert.equal(money(''), '—');
	assert.equal(money(null), '—');
	assert.equal(money('abc'), '—');
	assert.equal(money(1.5), '—', 'a float is not fen');
});

test('dates the Chinese way', () => {
	assert.equal(date('2026-11-23'), '2026年11月23日');
	assert.equal(date('2026-01-05T08:00:00.000Z'), '2026年1月5日');
	assert.equal(date('2026-11-23', 'iso'), '2026-11-23');
	assert.equal(date(''), '—');
	assert.equal(date('23/11/2026'), '—');
	assert.equal(month('2026-03'), '2026年3月');
	assert.match(datetime('2026-11-23T08:05:00.000Z'), /^2026-11-23 \d\d:05$/);
	assert.equal(datetime(null), '—');
});

test('ID numbers keep the first 6 and the last 4 characters', () => {
	assert.equal(maskId('500154198001010019'), '500154********0019');
	assert.equal(maskId('50015419800101001X'), '500154********001X');
	assert.equal(maskId('500154********0019'), '500154********0019');
	assert.equal(maskId(''), '—');
});

test('codes have Chinese labels; an unknown code is shown as it is, never an empty cell', () => {
	assert.equal(programme('dibao'), '最低生活保障');
	assert.equal(programme('tekun'), '特困人员救助供养');
	assert.equal(state('in_notice'), '公示中');
	assert.equal(role('township'), '乡镇（街道）经办人');
	assert.equal(relation('head'), '户主');
	assert.equal(label({}, 'new_code'), 'new_code');
	assert.equal(label({}, null), '—');
});
