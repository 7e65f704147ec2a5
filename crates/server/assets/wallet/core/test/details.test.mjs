// The personal details form's reading (details.js, the screen's pure part): what is filled in
// becomes the declared details, normalised; each bad entry an error naming its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDetails, formValues } from '../../details.js';
import { checkDetails } from '../declare.js';

test('a filled-in form reads as details the schema accepts, normalised, and reads back', () => {
  const { details, errors } = readDetails({
    'preferred-name': ' Amy ', email: 'amy.okafor@example.com', phone: '07700  900123',
    'address-line1': '1 Example Street', 'address-town': 'Leeds', postcode: 'ls14ap',
    'contact1-name': 'Chidi Okafor', 'contact1-relationship': 'Brother', 'contact1-phone': '07700 900456',
    'ni-number': 'ab 12 34 56 c',
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(details, {
    preferredName: 'Amy',
    email: 'amy.okafor@example.com',
    phone: '07700 900123',
    address: { lines: ['1 Example Street', 'Leeds'], postcode: 'LS1 4AP' },
    emergencyContacts: [{ name: 'Chidi Okafor', relationship: 'Brother', phone: '07700 900456' }],
    nationalInsuranceNumber: 'AB123456C',
  });
  checkDetails(details);
  assert.deepEqual(readDetails(formValues(details)).details, details);
});

test('bad entries: each an error on its own field, in the order of the form', () => {
  const { errors } = readDetails({
    email: 'amy.okafor', phone: '12', postcode: 'LS1', 'contact2-name': 'Chidi', 'ni-number': 'QQ 12 34 56 C',
  });
  assert.deepEqual(errors.map((e) => e.field), [
    'email', 'phone', 'address-line1', 'postcode', 'contact2-relationship', 'contact2-phone', 'ni-number',
  ]);
  assert.match(errors.at(-1).text, /National Insurance number in the correct format/);
  for (const ni of ['GB123456A', 'AB123456E', 'AB12345C', 'A1234567C']) {
    assert.equal(readDetails({ 'ni-number': ni }).errors[0]?.field, 'ni-number', ni);
  }
  assert.deepEqual(readDetails({}).details, {});
});
