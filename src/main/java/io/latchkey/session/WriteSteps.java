package io.latchkey.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-modifying steps of one SQL statement ({@code WITH step AS (INSERT ...), other AS (DELETE ...)}), each with
 * its parameters in order, so that writes of different tables leave in one round trip and commit together.
 * PostgreSQL runs every such step to completion whether or not the statement reads its output; a step may read an
 * earlier step's RETURNING rows, to write only if that one wrote.
 */
record WriteSteps(String steps, List<Object> parameters) {

    static WriteSteps of(String steps, Object... parameters) {
        return new WriteSteps(steps, Arrays.asList(parameters)); // a null is a parameter too (List.of refuses it)
    }

    WriteSteps and(WriteSteps next) {
        List<Object> all = new ArrayList<>(parameters);
        all.addAll(next.parameters);
        return new WriteSteps(steps + ",\n" + next.steps, all);
    }

    /**
     * The statement that runs every step and answers one row, the value of {@code result} (which may read the
     * steps' RETURNING rows). PostgreSQL runs a data-modifying step whether or not it is read.
     */
    String statement(String result) {
        return "WITH " + steps + "\nSELECT " + result;
    }
}
