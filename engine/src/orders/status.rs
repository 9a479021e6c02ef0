//! The order status machine of DESIGN.md.

/// Where an order stands: the wire's type (its names); the moves it allows are [`Machine`].
pub use auto_api::OrderStatus as Status;

use Status::*;

/// The status machine: which moves it allows, and how far along a status is.
pub trait Machine: Copy {
    /// Whether the machine allows `self → to`.
    fn can_move_to(self, to: Status) -> bool;
    /// How far along an order is, to tell a newer report from an older one.
    fn progress(self) -> u8;
    /// Terminal states: nothing moves an order out of them.
    fn is_final(self) -> bool;
}

impl Machine for Status {
    fn can_move_to(self, to: Status) -> bool {
        let paid_state = matches!(
            self,
            Paid | Delivering | NeedsAttention | Delivered | Completed
        );
        match to {
            Paid => self == Unpaid,
            Delivering => matches!(self, Paid | NeedsAttention),
            NeedsAttention => matches!(self, Paid | Delivering),
            Delivered => matches!(self, Delivering | NeedsAttention),
            Completed => self == Delivered,
            Cancelled => matches!(
                self,
                Unpaid | Paid | NeedsAttention | Delivering | Delivered
            ),
            Refunded | Returned => paid_state,
            Unpaid => false,
        }
    }

    fn progress(self) -> u8 {
        match self {
            Unpaid => 0,
            Paid | Delivering | NeedsAttention => 1,
            Delivered => 2,
            Completed => 3,
            Cancelled | Refunded | Returned => 4,
        }
    }

    fn is_final(self) -> bool {
        matches!(self, Cancelled | Refunded | Returned)
    }
}

/// Reads a status as a source reports it: AUTO's names, or Shopee's order_status values.
/// Shopee's shipping states all mean "paid" for a digital product.
pub fn parse_reported(s: &str) -> Option<Status> {
    let upper = s.trim().to_ascii_uppercase();
    Some(match upper.as_str() {
        "UNPAID" | "PENDING" => Unpaid,
        "PAID" | "READY_TO_SHIP" | "PROCESSED" | "RETRY_SHIP" | "SHIPPED"
        | "TO_CONFIRM_RECEIVE" | "INVOICE_PENDING" => Paid,
        "COMPLETED" => Completed,
        "CANCELLED" | "CANCELED" | "IN_CANCEL" => Cancelled,
        "REFUNDED" => Refunded,
        "RETURNED" | "TO_RETURN" => Returned,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_allows_the_forward_paths_of_the_design() {
        assert!(Unpaid.can_move_to(Paid));
        assert!(Paid.can_move_to(Delivering));
        assert!(Delivering.can_move_to(Delivered));
        assert!(Delivered.can_move_to(Completed));
        assert!(NeedsAttention.can_move_to(Delivering));
        assert!(Delivered.can_move_to(Refunded));
        assert!(Completed.can_move_to(Returned));
    }

    #[test]
    fn the_machine_refuses_going_back_or_leaving_a_final_state() {
        assert!(!Paid.can_move_to(Unpaid));
        assert!(!Unpaid.can_move_to(Delivered));
        assert!(!Unpaid.can_move_to(Refunded));
        for s in [Cancelled, Refunded, Returned] {
            assert!(
                Status::ALL.iter().all(|to| !s.can_move_to(*to)),
                "{s} must be final"
            );
        }
    }

    #[test]
    fn shopee_status_names_are_understood() {
        assert_eq!(parse_reported("READY_TO_SHIP"), Some(Paid));
        assert_eq!(parse_reported("in_cancel"), Some(Cancelled));
        assert_eq!(parse_reported("paid"), Some(Paid));
        assert_eq!(parse_reported("delivered"), None);
    }
}
