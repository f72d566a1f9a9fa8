//! A statement assembled at run time, with its arguments: each value bound gets the next
//! `$n` placeholder, so no query counts them by hand; and the visibility condition every
//! incident-bound query shares. Not a query builder: each call site still writes its SQL
//! in plain sight, in the order it is sent; only the numbering is done here.

use hindsight_core::access::Viewer;

use crate::Arg;

/// SQL text and the arguments its placeholders stand for, `$1` first.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// A statement beginning with `text`, which binds nothing.
    pub(crate) fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), args: Vec::new() }
    }

    /// Appends `text`: SQL only, never a value a user controls (bind those).
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the placeholder of `arg`, the next argument.
    pub(crate) fn bind(&mut self, arg: Arg) -> &mut Sql {
        let placeholder = self.param(arg);
        self.push(&placeholder)
    }

    /// Appends the placeholders of `args`, the next arguments, separated by commas: the
    /// inside of an `IN (…)`.
    pub(crate) fn bind_list(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Sql {
        for (n, arg) in args.into_iter().enumerate() {
            self.push(if n == 0 { "" } else { ", " }).bind(arg);
        }
        self
    }

    /// Records `arg` as the next argument and answers its placeholder without appending
    /// it, for text that uses one value more than once.
    pub(crate) fn param(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Appends the condition that the viewer may see incident `alias`: it is public, or the
    /// viewer is an admin, declared it, is one of its responders, or is a member of a team
    /// named on it. Binds the viewer's id and whether they are an admin, once each.
    pub(crate) fn visible(&mut self, alias: &str, viewer: &Viewer) -> &mut Sql {
        let uid = self.param(viewer_id(viewer));
        let admin = self.param(Arg::Bool(viewer.sees_everything()));
        self.push(&visible_to(alias, &uid, &format!("{admin} = TRUE")))
    }

    /// The text and its arguments in placeholder order, to send.
    pub(crate) fn into_parts(self) -> (String, Vec<Arg>) {
        (self.text, self.args)
    }
}

/// The statement that leases at most `$4` rows of `table` meeting `due` (which reads `$3`,
/// the time now) to worker `$1` until `$2`, in `order`, and answers their `key`. On
/// PostgreSQL rows another worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`).
/// The rows are chosen once, then updated: an `IN (SELECT … LIMIT)` may be run again by
/// PostgreSQL's plan and claim more than the limit.
pub(crate) fn lease_claim(backend: &str, table: &str, key: &str, due: &str, order: &str) -> String {
    let lock = if backend == "postgres" { " FOR UPDATE SKIP LOCKED" } else { "" };
    format!(
        "WITH next AS MATERIALIZED (SELECT {key} FROM {table} WHERE {due} ORDER BY {order} LIMIT $4{lock}) \
         UPDATE {table} SET lease_owner = $1, lease_until = $2 FROM next \
         WHERE {table}.{key} = next.{key} AND {due} RETURNING {table}.{key}"
    )
}

/// The condition that the user whose id is the SQL expression `uid` may see incident
/// `alias` (see [`Sql::visible`]), `admin` being the SQL condition that they see everything.
pub(crate) fn visible_to(alias: &str, uid: &str, admin: &str) -> String {
    format!(
        "({alias}.private = FALSE OR {admin} OR {alias}.created_by = {uid} \
         OR EXISTS (SELECT 1 FROM incident_responders vr WHERE vr.incident_id = {alias}.id AND vr.user_id = {uid}) \
         OR EXISTS (SELECT 1 FROM incident_teams vt JOIN team_members vm ON vm.team_id = vt.team_id \
                    WHERE vt.incident_id = {alias}.id AND vm.user_id = {uid}))"
    )
}

/// The viewer's user id as an argument; none for the operator.
pub(crate) fn viewer_id(viewer: &Viewer) -> Arg {
    Arg::OptText(viewer.actor_id().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use hindsight_core::Role;
    use hindsight_core::access::UserId;

    use super::*;

    fn member(id: &str) -> Viewer {
        Viewer { user_id: Some(UserId::new(id)), username: "ana".into(), role: Role::Editor }
    }

    #[test]
    fn a_list_binds_each_value_after_those_before_it() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(Arg::Int(1)).push(" AND b IN (").bind_list([2, 3, 4].map(Arg::Int)).push(")");
        let (text, args) = sql.into_parts();
        assert_eq!(text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3, $4)");
        assert_eq!(args.len(), 4);
    }

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_bound() {
        let mut sql = Sql::new("SELECT 1 FROM t WHERE a = ");
        sql.bind(Arg::Int(7)).push(" AND b = ").bind(Arg::Text("x".into()));
        let (text, args) = sql.into_parts();
        assert_eq!(text, "SELECT 1 FROM t WHERE a = $1 AND b = $2");
        assert_eq!(args.len(), 2);
    }

    #[test]
    fn a_param_is_one_argument_however_often_the_text_uses_it() {
        let mut sql = Sql::new("SELECT 1 FROM t WHERE ");
        let p = sql.param(Arg::Text("%x%".into()));
        sql.push(&format!("a LIKE {p} OR b LIKE {p} AND c = ")).bind(Arg::Int(1));
        let (text, args) = sql.into_parts();
        assert_eq!(text, "SELECT 1 FROM t WHERE a LIKE $1 OR b LIKE $1 AND c = $2");
        assert_eq!(args.len(), 2);
    }

    #[test]
    fn visibility_refers_to_the_viewer_id_three_times_and_the_admin_flag_once_by_their_numbers() {
        let mut sql = Sql::new("SELECT 1 FROM incidents i WHERE i.number = ");
        sql.bind(Arg::Int(42)).push(" AND ").visible("i", &member("u1"));
        let (text, args) = sql.into_parts();
        assert_eq!(
            text,
            "SELECT 1 FROM incidents i WHERE i.number = $1 AND \
             (i.private = FALSE OR $3 = TRUE OR i.created_by = $2 \
             OR EXISTS (SELECT 1 FROM incident_responders vr WHERE vr.incident_id = i.id AND vr.user_id = $2) \
             OR EXISTS (SELECT 1 FROM incident_teams vt JOIN team_members vm ON vm.team_id = vt.team_id \
                        WHERE vt.incident_id = i.id AND vm.user_id = $2))"
        );
        assert_eq!(args.len(), 3);
    }

    #[test]
    fn arguments_come_out_in_the_order_they_were_bound() {
        let mut sql = Sql::new("SELECT 1 FROM incidents i WHERE ");
        sql.visible("i", &member("u1")).push(" AND i.status = ").bind(Arg::Text("resolved".into()));
        let (_, args) = sql.into_parts();
        assert!(
            matches!(
                args.as_slice(),
                [Arg::OptText(Some(id)), Arg::Bool(false), Arg::Text(status)] if id == "u1" && status == "resolved"
            ),
            "{args:?}"
        );
    }

    #[test]
    fn the_operator_is_bound_as_no_user_and_an_admin() {
        let mut sql = Sql::new("SELECT 1 FROM incidents i WHERE ");
        sql.visible("i", &Viewer::operator());
        let (_, args) = sql.into_parts();
        assert!(matches!(args.as_slice(), [Arg::OptText(None), Arg::Bool(true)]), "{args:?}");
    }
}
