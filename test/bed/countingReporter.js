// Mocha's spec reporter, plus one line of totals appended to $TEST_COUNTS_FILE so the
// test script can print a single summary across its separate mocha runs.
const fs = require("fs");
const Mocha = require("mocha");

class CountingReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const file = process.env.TEST_COUNTS_FILE;
            if (file) fs.appendFileSync(file, `${this.stats.passes} ${this.stats.failures}\n`);
        });
    }
}
module.exports = CountingReporter;
