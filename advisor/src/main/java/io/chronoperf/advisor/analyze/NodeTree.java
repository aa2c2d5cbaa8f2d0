package io.chronoperf.advisor.analyze;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads PostgreSQL's text form of an analysed query tree (a {@code pg_node_tree}, as in
 * {@code pg_proc.prosqlbody} and {@code pg_rewrite.ev_action}) with the server's own token rules
 * (read.c: white space and {@code ( ) { }} separate tokens, a backslash escapes the next
 * character, so names in the tree can never pose as fields), and collects what the tree refers
 * to: node kinds outside the known set, functions, operators, types and relations.
 *
 * <p>Why our own: the format belongs to the server (no Java library reads it), and the collection
 * must be exact, field by field, not a search of the text.
 */
final class NodeTree {
    /** Node kinds of a read-only query that call nothing of their own beyond the fields below. */
    static final Set<String> KNOWN_NODES = Set.of(
            "QUERY",
            "RANGETBLENTRY",
            "RTE",
            "ALIAS",
            "RANGETBLREF",
            "FROMEXPR",
            "JOINEXPR",
            "TARGETENTRY",
            "VAR",
            "CONST",
            "PARAM",
            "FUNCEXPR",
            "NAMEDARGEXPR",
            "OPEXPR",
            "DISTINCTEXPR",
            "NULLIFEXPR",
            "SCALARARRAYOPEXPR",
            "BOOLEXPR",
            "SUBLINK",
            "AGGREF",
            "GROUPINGFUNC",
            "WINDOWFUNC",
            "WINDOWCLAUSE",
            "SORTGROUPCLAUSE",
            "GROUPINGSET",
            "CASEEXPR",
            "CASEWHEN",
            "CASETESTEXPR",
            "COALESCEEXPR",
            "MINMAXEXPR",
            "NULLTEST",
            "BOOLEANTEST",
            "RELABELTYPE",
            "COERCEVIAIO",
            "ARRAYCOERCEEXPR",
            "ARRAYEXPR",
            "ROWEXPR",
            "ROWCOMPAREEXPR",
            "SQLVALUEFUNCTION",
            "COMMONTABLEEXPR",
            "CTESEARCHCLAUSE",
            "CTECYCLECLAUSE",
            "RANGETBLFUNCTION",
            "TABLESAMPLECLAUSE",
            "SUBSCRIPTINGREF",
            "FIELDSELECT",
            "COLLATEEXPR",
            "CONVERTROWTYPEEXPR",
            "COERCETODOMAIN",
            "COERCETODOMAINVALUE",
            "SETOPERATIONSTMT",
            "RTEPERMISSIONINFO",
            "WINDOWFUNCRUNCONDITION",
            "JSONCONSTRUCTOREXPR",
            "JSONRETURNING",
            "JSONFORMAT",
            "JSONVALUEEXPR",
            "JSONISPREDICATE");

    private static final Set<String> FUNCTION_FIELDS = Set.of(
            ":funcid",
            ":aggfnoid",
            ":winfnoid",
            ":tsmhandler"); // an operator's opfuncid, hashfuncid and negfuncid are judged through its opno
    private static final Set<String> OPERATOR_FIELDS = Set.of(":opno", ":opnos", ":eqop", ":sortop");
    private static final Set<String> TYPE_FIELDS = Set.of(
            ":vartype",
            ":consttype",
            ":paramtype",
            ":funcresulttype",
            ":opresulttype",
            ":aggtype",
            ":wintype",
            ":resulttype",
            ":casetype",
            ":coalescetype",
            ":minmaxtype",
            ":row_typeid",
            ":array_typeid",
            ":element_typeid",
            ":refcontainertype",
            ":refelemtype",
            ":refrestype",
            ":typeId",
            ":type",
            ":coltypes",
            ":aggargtypes");
    private static final Set<String> RELATION_FIELDS = Set.of(":relid");

    /** What a tree refers to. */
    static final class Refs {
        final Set<String> unknownNodes = new TreeSet<>();
        final Set<Long> functions = new LinkedHashSet<>();
        final Set<Long> operators = new LinkedHashSet<>();
        final Set<Long> types = new LinkedHashSet<>();
        final Set<Long> relations = new LinkedHashSet<>();
    }

    private NodeTree() {}

    /** Adds what {@code tree} refers to into {@code refs}. */
    static void read(String tree, Refs refs) {
        List<String> tokens = tokens(tree);
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("{") && i + 1 < tokens.size()) {
                String node = tokens.get(i + 1);
                if (!KNOWN_NODES.contains(node)) {
                    refs.unknownNodes.add(node);
                }
            } else if (t.startsWith(":") && i + 1 < tokens.size()) {
                Set<Long> target = FUNCTION_FIELDS.contains(t)
                        ? refs.functions
                        : OPERATOR_FIELDS.contains(t)
                                ? refs.operators
                                : TYPE_FIELDS.contains(t)
                                        ? refs.types
                                        : RELATION_FIELDS.contains(t) ? refs.relations : null;
                if (target == null) {
                    continue;
                }
                for (long oid : values(tokens, i + 1)) {
                    if (oid != 0) {
                        target.add(oid);
                    }
                }
            }
        }
    }

    /** The number after a field, or the numbers of an (o ...) / (i ...) list. */
    private static List<Long> values(List<String> tokens, int at) {
        List<Long> out = new ArrayList<>();
        if (tokens.get(at).equals("(")) {
            for (int j = at + 1; j < tokens.size() && !tokens.get(j).equals(")"); j++) {
                number(tokens.get(j), out);
            }
        } else {
            number(tokens.get(at), out);
        }
        return out;
    }

    private static void number(String token, List<Long> out) {
        if (!token.isEmpty() && token.chars().allMatch(Character::isDigit) && token.length() < 12) {
            out.add(Long.parseLong(token));
        }
    }

    /** read.c's pg_strtok: white space separates, ( ) { } stand alone, a backslash escapes the next character. */
    static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '(' || c == ')' || c == '{' || c == '}') {
                out.add(String.valueOf(c));
                i++;
            } else {
                StringBuilder token = new StringBuilder();
                while (i < n) {
                    c = s.charAt(i);
                    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '(' || c == ')' || c == '{'
                            || c == '}') {
                        break;
                    }
                    if (c == '\\' && i + 1 < n) {
                        token.append('\\').append(s.charAt(i + 1)); // kept escaped: never equal to a field or a number
                        i += 2;
                    } else {
                        token.append(c);
                        i++;
                    }
                }
                out.add(token.toString());
            }
        }
        return out;
    }
}
