//! The family tree: who was made from whom, and how.

use std::collections::{BTreeSet, VecDeque};

use super::{Method, ModelId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub parent: ModelId,
    pub child: ModelId,
    pub method: Method,
}

/// A directed acyclic graph over the catalogue (the loader rejects cycles).
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    edges: Vec<Edge>,
    model_count: usize,
}

impl Lineage {
    pub fn new(model_count: usize, edges: Vec<Edge>) -> Lineage {
        Lineage { edges, model_count }
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    pub fn parents(&self, id: ModelId) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.child == id)
    }

    pub fn children(&self, id: ModelId) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.parent == id)
    }

    /// Models without parents: where the tree starts.
    pub fn roots(&self) -> Vec<ModelId> {
        (0..self.model_count as u16)
            .map(ModelId)
            .filter(|&m| self.parents(m).next().is_none())
            .collect()
    }

    /// Every model `id` descends from, nearest first.
    pub fn ancestors(&self, id: ModelId) -> Vec<ModelId> {
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut queue: VecDeque<ModelId> = self.parents(id).map(|e| e.parent).collect();
        while let Some(m) = queue.pop_front() {
            if seen.insert(m) {
                order.push(m);
                queue.extend(self.parents(m).map(|e| e.parent));
            }
        }
        order
    }

    pub fn is_ancestor(&self, ancestor: ModelId, of: ModelId) -> bool {
        self.ancestors(of).contains(&ancestor)
    }

    /// The shortest path from `from` to `to` along parent/child links, each step
    /// with its edge; `None` when they are not connected.
    pub fn path(&self, from: ModelId, to: ModelId) -> Option<Vec<ModelId>> {
        let mut prev = vec![None; self.model_count];
        let mut seen = vec![false; self.model_count];
        let mut queue = VecDeque::from([from]);
        seen[from.index()] = true;
        while let Some(m) = queue.pop_front() {
            if m == to {
                let mut path = vec![to];
                let mut cur = to;
                while let Some(p) = prev[cur.index()] {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            let next = self.edges.iter().filter_map(|e| {
                if e.parent == m {
                    Some(e.child)
                } else if e.child == m {
                    Some(e.parent)
                } else {
                    None
                }
            });
            for n in next {
                if !seen[n.index()] {
                    seen[n.index()] = true;
                    prev[n.index()] = Some(m);
                    queue.push_back(n);
                }
            }
        }
        None
    }

    /// The edge joining two models, in either direction.
    pub fn edge_between(&self, a: ModelId, b: ModelId) -> Option<&Edge> {
        self.edges
            .iter()
            .find(|e| (e.parent == a && e.child == b) || (e.parent == b && e.child == a))
    }

    /// Depth of each model: the longest chain of parents above it. Used to lay
    /// the tree out by generation.
    pub fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.model_count];
        // The graph is acyclic, so model_count rounds of relaxation settle it.
        for _ in 0..self.model_count {
            let mut changed = false;
            for e in &self.edges {
                // Only a hand-built graph can hold ids past the catalogue.
                if e.parent.index() >= self.model_count || e.child.index() >= self.model_count {
                    continue;
                }
                let d = depth[e.parent.index()] + 1;
                if d > depth[e.child.index()] {
                    depth[e.child.index()] = d;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        depth
    }

    /// A cycle through the parent links, if there is one (for the loader).
    pub fn find_cycle(&self) -> Option<Vec<ModelId>> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        fn visit(g: &Lineage, m: ModelId, marks: &mut [Mark], stack: &mut Vec<ModelId>) -> bool {
            marks[m.index()] = Mark::Open;
            stack.push(m);
            for e in g.children(m) {
                match marks[e.child.index()] {
                    Mark::Open => {
                        let start = stack.iter().position(|&s| s == e.child).unwrap_or(0);
                        stack.drain(..start);
                        stack.push(e.child);
                        return true;
                    }
                    Mark::New => {
                        if visit(g, e.child, marks, stack) {
                            return true;
                        }
                    }
                    Mark::Done => {}
                }
            }
            stack.pop();
            marks[m.index()] = Mark::Done;
            false
        }
        let mut marks = vec![Mark::New; self.model_count];
        for m in 0..self.model_count as u16 {
            let mut stack = Vec::new();
            if marks[m as usize] == Mark::New && visit(self, ModelId(m), &mut marks, &mut stack) {
                return Some(stack);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(p: u16, c: u16) -> Edge {
        Edge {
            parent: ModelId(p),
            child: ModelId(c),
            method: Method::Sft,
        }
    }

    #[test]
    fn walks_the_tree() {
        // 0 → 1 → 3, 0 → 2 → 3, 3 → 4
        let g = Lineage::new(
            5,
            vec![edge(0, 1), edge(0, 2), edge(1, 3), edge(2, 3), edge(3, 4)],
        );
        assert_eq!(g.roots(), vec![ModelId(0)]);
        assert_eq!(
            g.ancestors(ModelId(4)),
            vec![ModelId(3), ModelId(1), ModelId(2), ModelId(0)]
        );
        assert!(g.is_ancestor(ModelId(0), ModelId(4)));
        assert!(!g.is_ancestor(ModelId(4), ModelId(0)));
        assert_eq!(g.path(ModelId(1), ModelId(2)).unwrap().len(), 3);
        assert_eq!(g.depths(), vec![0, 1, 1, 2, 3]);
        assert!(g.find_cycle().is_none());
    }

    #[test]
    fn finds_a_cycle() {
        let g = Lineage::new(3, vec![edge(0, 1), edge(1, 2), edge(2, 1)]);
        let cycle = g.find_cycle().expect("cycle");
        assert_eq!(cycle.first(), cycle.last());
        assert!(cycle.contains(&ModelId(1)) && cycle.contains(&ModelId(2)));
    }

    #[test]
    fn unconnected_models_have_no_path() {
        let g = Lineage::new(3, vec![edge(0, 1)]);
        assert!(g.path(ModelId(0), ModelId(2)).is_none());
    }
}
