package io.chronoperf.advisor.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The node-tree reader takes fields as the server wrote them; names in the tree can never pose as fields. */
class NodeTreeTest {
    @Test
    void collects_functions_operators_types_relations_and_unknown_nodes() {
        NodeTree.Refs refs = new NodeTree.Refs();
        NodeTree.read(
                "({QUERY :rtable ({RANGETBLENTRY :relid 16400 :relkind r}) :targetList ({TARGETENTRY"
                        + " :expr {FUNCEXPR :funcid 2096 :funcresulttype 16 :args ({OPEXPR :opno 96 :opfuncid 65"
                        + " :opresulttype 16})} :resname x} {TARGETENTRY :expr {XMLEXPR :op 0}})})",
                refs);

        assertThat(refs.functions).containsExactly(2096L);
        assertThat(refs.operators).containsExactly(96L);
        assertThat(refs.types).contains(16L);
        assertThat(refs.relations).containsExactly(16400L);
        assertThat(refs.unknownNodes).containsExactly("XMLEXPR");
    }

    @Test
    void an_alias_that_spells_a_field_adds_nothing_and_hides_nothing() {
        NodeTree.Refs refs = new NodeTree.Refs();
        // a column alias "x :funcid 99 }" is written by the server with its blanks and braces escaped
        NodeTree.read(
                "({QUERY :targetList ({TARGETENTRY :expr {FUNCEXPR :funcid 2096} :resname x\\ :funcid\\ 99\\ \\}})})",
                refs);

        assertThat(refs.functions).containsExactly(2096L);
        assertThat(refs.unknownNodes).isEmpty();
    }
}
